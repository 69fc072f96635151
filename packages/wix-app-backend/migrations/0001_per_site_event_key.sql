DROP INDEX "webhook_events_event_key_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_instance_event_key_idx" ON "webhook_events" USING btree ("instance_id","event_key");