-- Matching in PostgreSQL (db/matching.ts): the distance function and the indexes
-- that keep both directions fast at national scale. Custom migration: drizzle-kit
-- cannot express SQL functions or INCLUDE columns on partial indexes.
--
-- Why no GiST index on earth boxes (cube + earthdistance): tried first, a GiST
-- over (specialty, care type, the patient's reach box) returns every case whose
-- reach covers the site (thousands, since many patients will travel 100+ miles
-- or anywhere), which then all need sorting; the ranking index below stops after
-- the first fifty matches instead. For postings, one specialty's open postings
-- are a few hundred rows, fewer than a box search would fetch.
--
-- Great-circle distance in miles by the haversine formula on a sphere of
-- 3958.8 miles: the same figure as domain/distance.ts, so the matching query,
-- the offer check and the tests agree to the decimal.
CREATE FUNCTION great_circle_miles(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT 2 * 3958.8 * asin(least(1, sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2)
    + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)
  )))
$$;--> statement-breakpoint
-- Cases for a posting: the open cases of one specialty and care type in ranking
-- order (priority, then RTT clock start), carrying every column the match rules
-- and the result read, so the query walks the index in order, checks each entry
-- without visiting the table, and stops once it has enough matches.
CREATE INDEX "cases_open_rank_idx" ON "cases" USING btree (
  "specialty_code",
  "care_type",
  "priority",
  "rtt_clock_start",
  "case_ref"
) INCLUDE (
  "latitude",
  "longitude",
  "max_travel_miles",
  "bmi",
  "asa",
  "needs_critical_care",
  "listed_at",
  "opcs_code",
  "diagnostic_modality",
  "origin_org_id",
  "procedure",
  "age_band"
) WHERE "state" IN ('OPEN_FOR_OFFERS', 'RELISTED', 'CHOOSING');--> statement-breakpoint
-- Postings for a case: the open postings of one specialty and care type still available.
CREATE INDEX "capacity_postings_open_match_idx" ON "capacity_postings" USING btree (
  "specialty_code",
  "care_type",
  "available_until"
) WHERE "status" = 'OPEN';--> statement-breakpoint
-- "Has this provider already offered on this case?" for every candidate of a posting.
CREATE INDEX "offers_provider_case_idx" ON "offers" USING btree ("provider_org_id", "case_ref");
