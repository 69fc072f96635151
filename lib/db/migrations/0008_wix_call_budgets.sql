CREATE TABLE "wix_call_budgets" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "wix_call_budgets" ADD CONSTRAINT "wix_call_budgets_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE cascade ON UPDATE no action;