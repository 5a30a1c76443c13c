import bcryptjs from "bcryptjs";
import type { Fields } from "./fields";

/** bcrypt costs above this would take many seconds of Worker CPU per sign-in (bcryptjs is pure JS). */
export const BCRYPT_MAX_COST = 15;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export function importBcrypt(fields: Fields): string {
	const hash = fields.string("hash");
	const m = BCRYPT.exec(hash);
	if (!m) fields.fail("hash", "must be a bcrypt hash ($2a$, $2b$ or $2y$, cost, then 53 characters)");
	const cost = Number(m[1]);
	if (cost < 4 || cost > BCRYPT_MAX_COST)
		fields.fail("hash", `cost must be between 4 and ${BCRYPT_MAX_COST}`);
	return hash;
}

export const verifyBcrypt = async (hash: string, password: string): Promise<boolean> =>
	BCRYPT.test(hash) && bcryptjs.compareSync(password, hash);
