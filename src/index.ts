import { buildApp } from "./app";
import { enforceHistoryRetention, enforceRetention } from "./domain/activity/activity.retention";
import { handleWebhookBatch, sweepWebhooks } from "./webhooks/consumer";

export { UserSessions } from "./sessions/user-sessions";

const app = buildApp();

export default {
	fetch: app.fetch,
	// The cron of wrangler.toml: activity retention (docs/audit.md) and the webhook outbox sweep (docs/webhooks.md).
	async scheduled(controller, env) {
		const run = await enforceRetention(env.DB, controller.scheduledTime);
		if (run.deleted) console.log("activity retention", run);
		const history = await enforceHistoryRetention(env.DB, controller.scheduledTime);
		if (history.deleted) console.log("sign-in history retention", history);
		const swept = await sweepWebhooks(env, controller.scheduledTime);
		if (swept.projects || swept.deliveries) console.log("webhook sweep", swept);
	},
	// WEBHOOK_QUEUE and its dead-letter queue (docs/webhooks.md): dispatched on batch.queue.
	queue: (batch, env, ctx) => handleWebhookBatch(batch, env, ctx),
} satisfies ExportedHandler<Env>;
