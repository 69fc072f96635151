CREATE TABLE "event_queue" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"event_type" text NOT NULL,
	"event" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"received_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "instances" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"status" text,
	"status_at" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"plan" text,
	"plan_cycle" text,
	"plan_expires_at" timestamp with time zone,
	"plan_auto_renews" boolean,
	"plan_at" timestamp with time zone,
	"plan_renewal_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event_type" text NOT NULL,
	"instance_id" text,
	"occurred_at" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"outcome" text NOT NULL,
	"event_key" text
);
--> statement-breakpoint
CREATE TABLE "wix_app_tokens" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"sealed_token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"minted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wix_call_budgets" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "event_queue" ADD CONSTRAINT "event_queue_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wix_app_tokens" ADD CONSTRAINT "wix_app_tokens_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wix_call_budgets" ADD CONSTRAINT "wix_call_budgets_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_queue_due_idx" ON "event_queue" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "webhook_events_instance_id_idx" ON "webhook_events" USING btree ("instance_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_event_key_idx" ON "webhook_events" USING btree ("event_key");