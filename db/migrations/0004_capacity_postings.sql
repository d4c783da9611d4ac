CREATE TYPE "public"."posting_status" AS ENUM('OPEN', 'FILLED', 'WITHDRAWN', 'EXPIRED');--> statement-breakpoint
CREATE TABLE "capacity_postings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"specialty_code" text NOT NULL,
	"care_type" "care_type" NOT NULL,
	"diagnostic_modality" "diagnostic_modality",
	"procedure_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"slots" integer NOT NULL,
	"slots_filled" integer DEFAULT 0 NOT NULL,
	"available_from" date NOT NULL,
	"available_until" date NOT NULL,
	"max_bmi" numeric(4, 1) NOT NULL,
	"max_asa" smallint NOT NULL,
	"min_age" smallint DEFAULT 18 NOT NULL,
	"max_age" smallint DEFAULT 120 NOT NULL,
	"has_critical_care" boolean NOT NULL,
	"status" "posting_status" DEFAULT 'OPEN' NOT NULL,
	"posted_by" uuid NOT NULL,
	"posted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "capacity_postings_slots" CHECK ("capacity_postings"."slots" > 0 and "capacity_postings"."slots_filled" between 0 and "capacity_postings"."slots"),
	CONSTRAINT "capacity_postings_dates" CHECK ("capacity_postings"."available_until" >= "capacity_postings"."available_from"),
	CONSTRAINT "capacity_postings_max_bmi_range" CHECK ("capacity_postings"."max_bmi" between 10 and 80),
	CONSTRAINT "capacity_postings_max_asa_range" CHECK ("capacity_postings"."max_asa" between 1 and 4),
	CONSTRAINT "capacity_postings_ages" CHECK ("capacity_postings"."min_age" between 0 and 120 and "capacity_postings"."max_age" between "capacity_postings"."min_age" and 120),
	CONSTRAINT "capacity_postings_modality_iff_diagnostic" CHECK (("capacity_postings"."care_type" = 'DIAGNOSTIC') = ("capacity_postings"."diagnostic_modality" is not null))
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "latitude" double precision;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "longitude" double precision;--> statement-breakpoint
-- Cases listed before this migration take their district's centroid.
UPDATE "cases" SET "latitude" = d."latitude", "longitude" = d."longitude" FROM "postcode_districts" d WHERE d."outcode" = "cases"."outcode";--> statement-breakpoint
ALTER TABLE "cases" ALTER COLUMN "latitude" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ALTER COLUMN "longitude" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "capacity_postings" ADD CONSTRAINT "capacity_postings_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_postings" ADD CONSTRAINT "capacity_postings_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_postings" ADD CONSTRAINT "capacity_postings_specialty_code_treatment_functions_code_fk" FOREIGN KEY ("specialty_code") REFERENCES "public"."treatment_functions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_postings" ADD CONSTRAINT "capacity_postings_posted_by_people_id_fk" FOREIGN KEY ("posted_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "capacity_postings_site_idx" ON "capacity_postings" USING btree ("site_id");