CREATE TABLE `access_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`key_hash` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`expires_at` integer,
	`role_names` text DEFAULT '[]' NOT NULL,
	`key_tenants` text DEFAULT '[]' NOT NULL,
	`bound_user_id` text,
	`created_by` text DEFAULT '' NOT NULL,
	`custom_claims` text DEFAULT '{}' NOT NULL,
	`permitted_ips` text DEFAULT '[]' NOT NULL,
	`custom_attributes` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_keys_key_hash_unique` ON `access_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `access_keys_project_idx` ON `access_keys` (`project_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `access_keys_bound_user_idx` ON `access_keys` (`project_id`,`bound_user_id`);--> statement-breakpoint
CREATE TABLE `federation_grants` (
	`hash` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`kind` text NOT NULL,
	`data` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `federation_grants_expiry_idx` ON `federation_grants` (`expires_at`);--> statement-breakpoint
CREATE TABLE `identity_provider_domains` (
	`project_id` text NOT NULL,
	`domain` text NOT NULL,
	`provider_id` text NOT NULL,
	PRIMARY KEY(`project_id`, `domain`, `provider_id`)
);
--> statement-breakpoint
CREATE INDEX `identity_provider_domains_provider_idx` ON `identity_provider_domains` (`project_id`,`provider_id`);--> statement-breakpoint
CREATE TABLE `identity_providers` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text DEFAULT '' NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text DEFAULT '' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`protocol` text DEFAULT 'oidc' NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`client_secret_ciphertext` text,
	`domains` text DEFAULT '[]' NOT NULL,
	`trust_email` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identity_providers_scope_key_uq` ON `identity_providers` (`project_id`,`tenant_id`,`key`);--> statement-breakpoint
CREATE TABLE `user_provider_links` (
	`project_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`subject` text NOT NULL,
	`user_id` text NOT NULL,
	`email` text,
	`access_token_ciphertext` text,
	`refresh_token_ciphertext` text,
	`token_expires_at` integer,
	`scopes` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`last_sign_in_at` integer,
	PRIMARY KEY(`project_id`, `provider_id`, `subject`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_provider_links_user_idx` ON `user_provider_links` (`user_id`,`provider_id`);--> statement-breakpoint
CREATE TABLE `scim_provisioned_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`connection` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scim_provisioned_users_connection_idx` ON `scim_provisioned_users` (`project_id`,`connection`,`user_id`);--> statement-breakpoint
ALTER TABLE `roles` ADD `external_id` text;--> statement-breakpoint
ALTER TABLE `roles` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `roles` ADD `modified_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `roles_scope_external_id_uq` ON `roles` (`project_id`,`tenant_id`,`external_id`) WHERE "roles"."external_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `allowed_redirect_urls` text DEFAULT '[]' NOT NULL;