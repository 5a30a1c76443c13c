CREATE TABLE `change_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` text NOT NULL,
	`at` integer NOT NULL,
	`action` text NOT NULL,
	`result` text DEFAULT 'success' NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`actor_name` text,
	`target_type` text,
	`target_id` text,
	`user_id` text,
	`login_id` text,
	`tenant_id` text,
	`changes` text,
	`data` text,
	`request_id` text,
	`dialect` text,
	`ip` text,
	`city` text,
	`country` text,
	`user_agent` text
);
--> statement-breakpoint
CREATE INDEX `change_log_project_seq_idx` ON `change_log` (`project_id`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_project_user_idx` ON `change_log` (`project_id`,`user_id`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_project_action_idx` ON `change_log` (`project_id`,`action`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_project_actor_idx` ON `change_log` (`project_id`,`actor_id`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_project_target_idx` ON `change_log` (`project_id`,`target_id`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_project_tenant_idx` ON `change_log` (`project_id`,`tenant_id`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_project_login_idx` ON `change_log` (`project_id`,`login_id`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_project_at_idx` ON `change_log` (`project_id`,`at`);--> statement-breakpoint
CREATE INDEX `change_log_at_idx` ON `change_log` (`at`);--> statement-breakpoint
ALTER TABLE `projects` ADD `activity_retention_days` integer DEFAULT 90 NOT NULL;