CREATE TABLE `write_preconditions` (
	`failed` integer NOT NULL,
	CONSTRAINT "precondition_failed" CHECK("write_preconditions"."failed" = 0)
);
