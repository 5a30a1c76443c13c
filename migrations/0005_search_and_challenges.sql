CREATE INDEX `webauthn_challenges_expiry_idx` ON `webauthn_challenges` (`project_id`,`expires_at`);--> statement-breakpoint
-- Free-text search, rebuilt with the project id in a column of its own: matching the text
-- against the body column alone means a text that is part of a project id matches nothing.
-- Login ids are indexed as plain text, without their JSON punctuation.
DROP TRIGGER IF EXISTS `users_fts_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `users_fts_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `users_fts_delete`;
--> statement-breakpoint
DROP TABLE IF EXISTS `users_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `users_fts` USING fts5(`project`, `body`, tokenize = 'trigram');
--> statement-breakpoint
INSERT INTO `users_fts` (rowid, project, body) SELECT rowid, project_id, replace(replace(replace(login_ids, '","', ' '), '["', ''), '"]', '') || ' ' || coalesce(name, '') || ' ' ||
	coalesce(given_name, '') || ' ' || coalesce(middle_name, '') || ' ' || coalesce(family_name, '') || ' ' ||
	coalesce(email, '') || ' ' || coalesce(phone, '') FROM `users`;
--> statement-breakpoint
CREATE TRIGGER `users_fts_insert` AFTER INSERT ON `users` BEGIN
	INSERT INTO `users_fts` (rowid, project, body) VALUES (new.rowid, new.project_id,
		replace(replace(replace(new.login_ids, '","', ' '), '["', ''), '"]', '') || ' ' ||
		coalesce(new.name, '') || ' ' || coalesce(new.given_name, '') || ' ' || coalesce(new.middle_name, '') || ' ' ||
		coalesce(new.family_name, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `users_fts_update` AFTER UPDATE OF `login_ids`, `name`, `given_name`, `middle_name`, `family_name`,
	`email`, `phone` ON `users` BEGIN
	DELETE FROM `users_fts` WHERE rowid = old.rowid;
	INSERT INTO `users_fts` (rowid, project, body) VALUES (new.rowid, new.project_id,
		replace(replace(replace(new.login_ids, '","', ' '), '["', ''), '"]', '') || ' ' ||
		coalesce(new.name, '') || ' ' || coalesce(new.given_name, '') || ' ' || coalesce(new.middle_name, '') || ' ' ||
		coalesce(new.family_name, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `users_fts_delete` AFTER DELETE ON `users` BEGIN
	DELETE FROM `users_fts` WHERE rowid = old.rowid;
END;
