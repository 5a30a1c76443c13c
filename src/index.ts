import { buildApp } from "./app";

export { UserSessions } from "./sessions/user-sessions";

const app = buildApp();

export default {
	fetch: app.fetch,
} satisfies ExportedHandler<Env>;
