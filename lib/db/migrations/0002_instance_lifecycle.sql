CREATE TABLE "webhook_events" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event_type" text NOT NULL,
	"instance_id" text NOT NULL,
	"occurred_at" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "status_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "plan_cycle" text;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "plan_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "plan_auto_renews" boolean;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "plan_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_events_instance_id_idx" ON "webhook_events" USING btree ("instance_id");