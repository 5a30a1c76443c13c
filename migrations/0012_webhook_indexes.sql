DROP INDEX `webhook_deliveries_endpoint_event_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_endpoint_event_type_idx` ON `webhook_deliveries` (`endpoint_id`,`event_seq`,`event_type`);--> statement-breakpoint
CREATE INDEX `webhook_endpoints_enabled_idx` ON `webhook_endpoints` (`enabled`,`project_id`);