// E.123 international notation of the stored E.164 phone: how the v4 dialect renders it
// (docs/rest-v4.md, `telephone_number_E123`).
import { countryCodeOf } from "../../lib/phone";

/** Groups a national significant number: threes, ending in one or two fours (E.123's "+22 607 123 4567"). */
function groupNational(nsn: string): string[] {
	if (nsn.length <= 5) return [nsn];
	const fours = [0, 1, 2][nsn.length % 3] as number;
	const threes = (nsn.length - 4 * fours) / 3;
	const groups: string[] = [];
	let at = 0;
	for (let i = 0; i < threes; i++, at += 3) groups.push(nsn.slice(at, at + 3));
	for (let i = 0; i < fours; i++, at += 4) groups.push(nsn.slice(at, at + 4));
	return groups;
}

/**
 * E.164 → E.123 international notation: "+<country code> <groups>", spaces only. NANP numbers
 * follow the plan's fixed NPA NXX XXXX; elsewhere the area-code boundary is national knowledge
 * Roster does not carry, so the number is grouped as E.123's own example is.
 */
export function formatE123(e164: string): string {
	const digits = e164.replace(/^\+/, "");
	const cc = countryCodeOf(digits) ?? digits.slice(0, 3);
	const nsn = digits.slice(cc.length);
	if (cc === "1" && nsn.length === 10) return `+1 ${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}`;
	return [`+${cc}`, ...groupNational(nsn)].join(" ");
}
