// Single requests before the load: check the answer is right and read x-roster-d1-rows-read.
import { call } from "./api.mjs";

export async function probe(baseUrl, auth, op, users, count) {
	const rowsRead = [];
	const ms = [];
	for (let i = 0; i < count; i++) {
		const req = op.request(users);
		const res = await call(baseUrl, req.method, req.path, {
			auth: op.needsProject ? auth : undefined,
			body: req.body,
		});
		op.verify(res.json, req, users);
		rowsRead.push(res.rowsRead);
		ms.push(Math.round(res.ms * 10) / 10);
	}
	return { rowsRead, ms };
}
