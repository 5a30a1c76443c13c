// The shapes of secrets, whoever made them: checked against every change row by
// test/worker/activity-secrets.test.ts and, after the whole Node suite, by test/node/log-secrets.ts.
export const SHAPES: [string, RegExp][] = [
	["management key", /rk_[A-Za-z0-9_-]{20,}/],
	// Long enough that no 28-character id can match by chance.
	["JWT", /eyJ[A-Za-z0-9_-]{30,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
	// The hash itself ($2b$04$…), not an error message naming the prefixes.
	["bcrypt hash", /\$2[aby]\$\d{2}\$/],
	["pbkdf2", /pbkdf2/i],
	["argon2 hash", /\$argon2/],
	["sha256$", /sha256\$/],
	["PEM", /-----BEGIN/],
];
