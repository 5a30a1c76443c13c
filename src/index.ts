import { buildApp } from "./app";
import { enforceRetention } from "./domain/activity/activity.retention";

export { UserSessions } from "./sessions/user-sessions";

const app = buildApp();

export default {
	fetch: app.fetch,
	// The cron of wrangler.toml: activity retention (docs/audit.md).
	async scheduled(controller, env) {
		const run = await enforceRetention(env.DB, controller.scheduledTime);
		if (run.deleted) console.log("activity retention", run);
	},
} satisfies ExportedHandler<Env>;
