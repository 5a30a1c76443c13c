CREATE TABLE `login_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text,
	`login_id` text NOT NULL,
	`at` integer NOT NULL,
	`ip` text DEFAULT '' NOT NULL,
	`city` text DEFAULT '' NOT NULL,
	`country` text DEFAULT '' NOT NULL,
	`user_agent` text DEFAULT '' NOT NULL,
	`method` text NOT NULL,
	`outcome` text NOT NULL,
	`selected_tenant` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `login_history_user_idx` ON `login_history` (`project_id`,`user_id`,`at`);--> statement-breakpoint
CREATE TABLE `passkeys` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`public_key` text NOT NULL,
	`counter` integer DEFAULT 0 NOT NULL,
	`transports` text DEFAULT '[]' NOT NULL,
	`rp_id` text NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `passkeys_user_idx` ON `passkeys` (`project_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`alg` text NOT NULL,
	`public_jwk` text NOT NULL,
	`private_jwk` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`publish_until` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `signing_keys_project_idx` ON `signing_keys` (`project_id`,`status`);--> statement-breakpoint
CREATE TABLE `user_flag_values` (
	`project_id` text NOT NULL,
	`flag` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`project_id`, `flag`, `user_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_flag_values_user_idx` ON `user_flag_values` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_passwords` (
	`user_id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`algorithm` text NOT NULL,
	`hash` text NOT NULL,
	`expired` integer DEFAULT false NOT NULL,
	`temporary` integer DEFAULT false NOT NULL,
	`set_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `user_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`is_default` integer DEFAULT true NOT NULL,
	`locale` text DEFAULT '' NOT NULL,
	`time_zone` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_profiles_user_idx` ON `user_profiles` (`project_id`,`user_id`,`is_default`);--> statement-breakpoint
CREATE TABLE `webauthn_challenges` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text,
	`kind` text NOT NULL,
	`challenge` text NOT NULL,
	`rp_id` text NOT NULL,
	`origin` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `projects` ADD `session_ttl` integer DEFAULT 600 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `refresh_ttl` integer DEFAULT 2592000 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `password_policy` text DEFAULT '{"minLength":8,"lowercase":false,"uppercase":false,"number":false,"nonAlphanumeric":false}' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `lockout_attempts` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `lockout_seconds` integer DEFAULT 900 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `locked_until` integer;--> statement-breakpoint
CREATE INDEX `users_project_registration_idx` ON `users` (`project_id`,`registration_time`);