-- Every per-instance table now hangs off "instances", so purging an instance removes its rows.
-- Rows that point at no instance are dropped (tokens: minted again on demand) or unlinked
-- (deliveries: kept, so a replay is still recognised) before the constraints are added.
DELETE FROM "wix_app_tokens" WHERE "instance_id" NOT IN (SELECT "instance_id" FROM "instances");--> statement-breakpoint
ALTER TABLE "webhook_events" ALTER COLUMN "instance_id" DROP NOT NULL;--> statement-breakpoint
UPDATE "webhook_events" SET "instance_id" = NULL WHERE "instance_id" NOT IN (SELECT "instance_id" FROM "instances");--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wix_app_tokens" ADD CONSTRAINT "wix_app_tokens_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE cascade ON UPDATE no action;
