CREATE TABLE `management_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`key_hash` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`expires_at` integer,
	`permitted_ips` text DEFAULT '[]' NOT NULL,
	`re_bac` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `management_keys_key_hash_unique` ON `management_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `management_keys_project_idx` ON `management_keys` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `custom_attribute_definitions` (
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`display_name` text NOT NULL,
	`type` integer NOT NULL,
	`options` text DEFAULT '[]' NOT NULL,
	`default_value` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `name`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `user_attribute_values` (
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`value` blob,
	`user_id` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_attribute_values_lookup_idx` ON `user_attribute_values` (`project_id`,`name`,`value`,`user_id`);--> statement-breakpoint
CREATE INDEX `user_attribute_values_user_idx` ON `user_attribute_values` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_login_ids` (
	`project_id` text NOT NULL,
	`login_id_lower` text NOT NULL,
	`login_id` text NOT NULL,
	`user_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`project_id`, `login_id_lower`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_login_ids_user_idx` ON `user_login_ids` (`user_id`,`position`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`login_ids` text DEFAULT '[]' NOT NULL,
	`name` text,
	`given_name` text,
	`middle_name` text,
	`family_name` text,
	`email` text,
	`phone` text,
	`verified_email` integer DEFAULT false NOT NULL,
	`verified_phone` integer DEFAULT false NOT NULL,
	`picture` text,
	`status` text DEFAULT 'invited' NOT NULL,
	`test` integer DEFAULT false NOT NULL,
	`custom_attributes` text DEFAULT '{}' NOT NULL,
	`external_id` text,
	`user_flags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`registration_time` integer,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `users_project_created_idx` ON `users` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `users_project_modified_idx` ON `users` (`project_id`,`modified_at`);--> statement-breakpoint
CREATE INDEX `users_project_status_idx` ON `users` (`project_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `users_project_test_idx` ON `users` (`project_id`,`test`,`created_at`);--> statement-breakpoint
CREATE INDEX `users_project_name_idx` ON `users` (`project_id`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_project_email_uq` ON `users` (`project_id`,lower("email")) WHERE "users"."email" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `users_project_phone_uq` ON `users` (`project_id`,`phone`) WHERE "users"."phone" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `users_project_external_id_uq` ON `users` (`project_id`,`external_id`) WHERE "users"."external_id" IS NOT NULL;