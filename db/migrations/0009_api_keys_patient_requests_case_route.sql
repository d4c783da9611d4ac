CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"label" text NOT NULL,
	"key_prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_prefix_unique" UNIQUE("key_prefix"),
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "patient_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"origin_org_id" uuid NOT NULL,
	"nhs_number" text NOT NULL,
	"specialty_code" text NOT NULL,
	"listing" jsonb NOT NULL,
	"status" text DEFAULT 'INVITED' NOT NULL,
	"ineligible_reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"invited_by" uuid NOT NULL,
	"invited_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"max_travel_miles" integer,
	"responded_at" timestamp with time zone,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"case_ref" text,
	CONSTRAINT "patient_requests_status" CHECK ("patient_requests"."status" in ('INVITED', 'INELIGIBLE', 'REQUESTED', 'LISTED', 'NOT_APPROPRIATE', 'EXPIRED')),
	CONSTRAINT "patient_requests_nhs_number_format" CHECK ("patient_requests"."nhs_number" ~ '^[0-9]{10}$')
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "route" text DEFAULT 'STAFF' NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "national_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_requests" ADD CONSTRAINT "patient_requests_origin_org_id_organisations_id_fk" FOREIGN KEY ("origin_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_requests" ADD CONSTRAINT "patient_requests_specialty_code_treatment_functions_code_fk" FOREIGN KEY ("specialty_code") REFERENCES "public"."treatment_functions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_requests" ADD CONSTRAINT "patient_requests_invited_by_people_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_requests" ADD CONSTRAINT "patient_requests_decided_by_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_requests" ADD CONSTRAINT "patient_requests_case_ref_cases_case_ref_fk" FOREIGN KEY ("case_ref") REFERENCES "public"."cases"("case_ref") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_organisation_idx" ON "api_keys" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "patient_requests_one_open_per_patient" ON "patient_requests" USING btree ("origin_org_id","nhs_number") WHERE "patient_requests"."status" in ('INVITED', 'REQUESTED');--> statement-breakpoint
CREATE INDEX "patient_requests_origin_status_idx" ON "patient_requests" USING btree ("origin_org_id","status");--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_route" CHECK ("cases"."route" in ('STAFF', 'PATIENT_INITIATED'));