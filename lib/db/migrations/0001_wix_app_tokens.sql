CREATE TABLE "wix_app_tokens" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"sealed_token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"minted_at" timestamp with time zone NOT NULL
);
