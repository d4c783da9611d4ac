CREATE TABLE "chat_channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"platform" "chat_platform" NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"organisation_id" uuid,
	"role" "role",
	"region" "region",
	"conversation_reference" jsonb,
	"linked_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_channels_one_audience" CHECK (("chat_channels"."organisation_id" is not null and "chat_channels"."role" is not null and "chat_channels"."region" is null)
        or ("chat_channels"."organisation_id" is null and "chat_channels"."role" is null and "chat_channels"."region" is not null))
);
--> statement-breakpoint
CREATE TABLE "chat_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification_key" text NOT NULL,
	"platform" "chat_platform" NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"message_ref" text NOT NULL,
	"case_ref" text,
	"delivered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patient_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_ref" text NOT NULL,
	"round" integer NOT NULL,
	"created_by" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"superseded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_passes" (
	"case_ref" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"person_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "provider_passes_case_ref_organisation_id_round_pk" PRIMARY KEY("case_ref","organisation_id","round")
);
--> statement-breakpoint
ALTER TABLE "chat_channels" ADD CONSTRAINT "chat_channels_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_channels" ADD CONSTRAINT "chat_channels_linked_by_people_id_fk" FOREIGN KEY ("linked_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_links" ADD CONSTRAINT "patient_links_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_links" ADD CONSTRAINT "patient_links_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_passes" ADD CONSTRAINT "provider_passes_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_passes" ADD CONSTRAINT "provider_passes_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_passes" ADD CONSTRAINT "provider_passes_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_channels_org_role_uq" ON "chat_channels" USING btree ("platform","workspace_id","channel_id","organisation_id","role") WHERE "chat_channels"."organisation_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_channels_region_uq" ON "chat_channels" USING btree ("platform","workspace_id","channel_id","region") WHERE "chat_channels"."region" is not null;--> statement-breakpoint
CREATE INDEX "chat_channels_organisation_idx" ON "chat_channels" USING btree ("organisation_id","role");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_deliveries_once_uq" ON "chat_deliveries" USING btree ("notification_key","platform","workspace_id","channel_id");--> statement-breakpoint
CREATE INDEX "chat_deliveries_case_idx" ON "chat_deliveries" USING btree ("case_ref");--> statement-breakpoint
CREATE INDEX "patient_links_case_idx" ON "patient_links" USING btree ("case_ref");