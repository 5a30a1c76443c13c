import { invalid } from "../../domain/errors";
import { fromBase64 } from "./bytes";

/** Readers for the fields of one `hashedPassword` variant; each error names the full field path. */
export class Fields {
	constructor(
		private readonly value: Record<string, unknown>,
		readonly path: string,
	) {}

	string(name: string): string {
		const v = this.value[name];
		if (typeof v !== "string" || v.length === 0)
			throw invalid(`${this.path}.${name}`, "must be a non-empty string");
		return v;
	}

	base64(name: string, options: { allowEmpty?: boolean } = {}): Uint8Array {
		const v = this.value[name];
		if (typeof v !== "string" || (v.length === 0 && !options.allowEmpty))
			throw invalid(`${this.path}.${name}`, "must be a non-empty base64 string");
		const bytes = fromBase64(v);
		if (!bytes) throw invalid(`${this.path}.${name}`, "must be base64");
		return bytes;
	}

	integer(name: string, min: number, max: number): number {
		const v = this.value[name];
		if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)
			throw invalid(`${this.path}.${name}`, "must be a positive integer");
		if (v < min || v > max) throw invalid(`${this.path}.${name}`, `must be between ${min} and ${max}`);
		return v;
	}

	oneOf<T extends string>(name: string, allowed: readonly T[]): T {
		const v = this.value[name];
		if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
			throw invalid(`${this.path}.${name}`, `must be one of ${allowed.join(", ")}`);
		return v as T;
	}

	fail(name: string, message: string): never {
		throw invalid(`${this.path}.${name}`, message);
	}
}
