CREATE TABLE `login_id_conflicts` (
	`project_id` text NOT NULL,
	`login_id` text NOT NULL,
	`user_id` text NOT NULL,
	`found_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `login_id`)
);
--> statement-breakpoint
DROP INDEX `users_project_email_uq`;--> statement-breakpoint
ALTER TABLE `users` ADD `email_key` text;--> statement-breakpoint
UPDATE `users` SET `email_key` = lower(`email`) WHERE `email` IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `users_project_email_key_uq` ON `users` (`project_id`,`email_key`) WHERE "users"."email_key" IS NOT NULL;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_passkeys` (
	`id` text NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`public_key` text NOT NULL,
	`counter` integer DEFAULT 0 NOT NULL,
	`transports` text DEFAULT '[]' NOT NULL,
	`rp_id` text NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	PRIMARY KEY(`project_id`, `id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_passkeys`("id", "project_id", "user_id", "public_key", "counter", "transports", "rp_id", "display_name", "created_at", "last_used_at") SELECT "id", "project_id", "user_id", "public_key", "counter", "transports", "rp_id", "display_name", "created_at", "last_used_at" FROM `passkeys`;--> statement-breakpoint
DROP TABLE `passkeys`;--> statement-breakpoint
ALTER TABLE `__new_passkeys` RENAME TO `passkeys`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `passkeys_user_idx` ON `passkeys` (`user_id`);--> statement-breakpoint
ALTER TABLE `management_keys` ADD `read_only` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `management_keys` ADD `tenant_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `rate_limit_tier` text DEFAULT 'standard' NOT NULL;