CREATE TABLE `permissions` (
	`project_id` text NOT NULL,
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `permissions_project_name_uq` ON `permissions` (`project_id`,`name`);--> statement-breakpoint
CREATE TABLE `role_permissions` (
	`project_id` text NOT NULL,
	`role_id` text NOT NULL,
	`permission_id` text NOT NULL,
	PRIMARY KEY(`role_id`, `permission_id`),
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`permission_id`) REFERENCES `permissions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `role_permissions_permission_idx` ON `role_permissions` (`permission_id`);--> statement-breakpoint
CREATE TABLE `roles` (
	`project_id` text NOT NULL,
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`tenant_id` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`is_private` integer DEFAULT false NOT NULL,
	`weight` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_scope_name_uq` ON `roles` (`project_id`,`tenant_id`,`name`);--> statement-breakpoint
CREATE TABLE `sso_apps` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`app_type` text DEFAULT 'oidc' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`logo` text DEFAULT '' NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tenant_default_roles` (
	`project_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`role_id` text NOT NULL,
	PRIMARY KEY(`project_id`, `tenant_id`, `role_id`),
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`,`tenant_id`) REFERENCES `tenants`(`project_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tenant_default_roles_role_idx` ON `tenant_default_roles` (`role_id`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`self_provisioning_domains` text DEFAULT '[]' NOT NULL,
	`custom_attributes` text DEFAULT '{}' NOT NULL,
	`parent_id` text,
	`enforce_sso` integer DEFAULT false NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`role_inheritance` text DEFAULT '' NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_project_name_uq` ON `tenants` (`project_id`,lower("name"));--> statement-breakpoint
CREATE INDEX `tenants_project_parent_idx` ON `tenants` (`project_id`,`parent_id`);--> statement-breakpoint
CREATE TABLE `user_roles` (
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`role_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `tenant_id`, `role_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_roles_role_idx` ON `user_roles` (`project_id`,`role_id`,`tenant_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `user_sso_apps` (
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`app_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `app_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`,`app_id`) REFERENCES `sso_apps`(`project_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_sso_apps_app_idx` ON `user_sso_apps` (`project_id`,`app_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `user_tenants` (
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `tenant_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`,`tenant_id`) REFERENCES `tenants`(`project_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_tenants_tenant_idx` ON `user_tenants` (`project_id`,`tenant_id`,`user_id`);