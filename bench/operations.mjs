// The measured operations: how autocannon builds each request, and how a single probe request
// (for rows_read and a correctness check) looks.

import { DEPTS, loginIdOf } from "./api.mjs";
import { BenchError } from "./server.mjs";

const randomUser = (users) => Math.floor(Math.random() * users);

/** How many of users 0..users-1 are in dept `d${dept}` (user i is in d{i % DEPTS}). */
function membersOf(dept, users) {
	return users > dept ? Math.floor((users - 1 - dept) / DEPTS) + 1 : 0;
}

function check(ok, what, json) {
	if (!ok) throw new BenchError(`${what}; got ${JSON.stringify(json).slice(0, 400)}`);
}

/**
 * Each operation: `request(users)` returns { method, path, body? } for one random request;
 * `verify(json, req, users)` checks a probe's answer; `needsProject` says it calls the management API.
 */
export const OPERATIONS = [
	{
		id: "health",
		label: "GET /health",
		needsProject: false,
		request: () => ({ method: "GET", path: "/health" }),
		verify: () => {},
	},
	{
		id: "load",
		label: "load user (GET /v1/mgmt/user?loginId=)",
		needsProject: true,
		request: (users) => {
			const loginId = loginIdOf(randomUser(users));
			return { method: "GET", path: `/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`, loginId };
		},
		verify: (json, req) => {
			const user = json?.user;
			check(
				user?.email === req.loginId && user?.loginIds?.includes(req.loginId),
				`load ${req.loginId}: expected that user`,
				json,
			);
		},
	},
	{
		id: "search-email",
		label: "search by email (POST /v2/mgmt/user/search)",
		needsProject: true,
		request: (users) => {
			const email = loginIdOf(randomUser(users));
			return { method: "POST", path: "/v2/mgmt/user/search", body: { emails: [email] }, email };
		},
		verify: (json, req) => {
			check(
				json?.users?.length === 1 && json.users[0].email === req.email && json.total === 1,
				`search emails=[${req.email}]: expected exactly that user and total 1`,
				json,
			);
		},
	},
	{
		id: "search-attr",
		label: "search by custom attribute (dept, limit 100)",
		needsProject: true,
		request: () => {
			const dept = Math.floor(Math.random() * DEPTS);
			return {
				method: "POST",
				path: "/v2/mgmt/user/search",
				body: { customAttributes: { dept: `d${dept}` }, limit: 100 },
				dept,
			};
		},
		verify: (json, req, users) => {
			const expected = membersOf(req.dept, users);
			const page = Math.min(100, expected);
			check(
				json?.total === expected &&
					json.users?.length === page &&
					json.users.every((u) => u.customAttributes?.dept === `d${req.dept}`),
				`search dept=d${req.dept}: expected total ${expected} and ${page} users of that dept`,
				json,
			);
		},
	},
];
