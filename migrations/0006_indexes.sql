DROP INDEX `passkeys_user_idx`;--> statement-breakpoint
CREATE INDEX `passkeys_user_idx` ON `passkeys` (`user_id`);--> statement-breakpoint
DROP INDEX `user_profiles_user_idx`;--> statement-breakpoint
CREATE INDEX `user_profiles_user_idx` ON `user_profiles` (`user_id`,`is_default`);--> statement-breakpoint
CREATE INDEX `users_project_email_sort_idx` ON `users` (`project_id`,lower("email"),`id`);