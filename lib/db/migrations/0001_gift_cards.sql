CREATE TABLE "gift_card_transactions" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"code" text NOT NULL,
	"order_id" text,
	"amount_cents" integer NOT NULL,
	"remaining_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"voided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "gift_cards" (
	"instance_id" text NOT NULL,
	"code" text NOT NULL,
	"balance_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gift_cards_instance_id_code_pk" PRIMARY KEY("instance_id","code")
);
--> statement-breakpoint
ALTER TABLE "gift_card_transactions" ADD CONSTRAINT "gift_card_transactions_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gift_cards" ADD CONSTRAINT "gift_cards_instance_id_instances_instance_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("instance_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gift_card_transactions_order_idx" ON "gift_card_transactions" USING btree ("instance_id","code","order_id");