# Firestore (native mode) holds all state: users, sessions, medications, doses, the dose
# log and idempotency keys.
#
# A project can have one "(default)" database; if it already exists, import it:
#   terraform import google_firestore_database.main projects/<project>/databases/(default)
resource "google_firestore_database" "main" {
  project     = var.project
  name        = "(default)"
  location_id = local.firestore_location
  type        = "FIRESTORE_NATIVE"
  # Server-side transactions (dose "Taken", idempotency records) lock pessimistically,
  # which the Python server SDK is designed for.
  concurrency_mode            = "PESSIMISTIC"
  app_engine_integration_mode = "DISABLED"
  # 7 days of point-in-time recovery: undo a bad deploy that corrupted schedules.
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  # Medication schedules are user data: neither the API nor `terraform destroy` may drop
  # the database by accident.
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"

  depends_on = [google_project_service.api]
}

# --- TTL: Firestore deletes documents once expires_at has passed (typically within 24 h;
# until then they still appear in reads, so the code also compares expires_at).
# One entry per collection the code writes expires_at into (tests/unit/test_terraform.py
# finds those writes and fails if one is missing here).
# No query filters or orders on expires_at, so its single-field indexes are exempted
# (empty index_config): a TTL field is a timestamp, indexed by default, and Firestore's
# best practices ask for the exemption at high write rates (the 08:00 burst writes
# claims, reminders, deliveries, task records and usage counters at up to 2,000/s, each
# expires_at near the same instant: one sequential index range otherwise).
resource "google_firestore_field" "ttl" {
  for_each = toset([
    "sessions",     # dialog sessions, SESSION_TTL_S (plumbing/dialog.py)
    "idempotency",  # accepted webhook events, IDEMPOTENCY_TTL_S (plumbing/intake.py)
    "jobs",         # processed task records (plumbing/runner.py)
    "deliveries",   # sent-message records, 2 days (plumbing/delivery.py)
    "reminders",    # sent reminders behind "Taken" buttons, 7 days (features/reminders)
    "remind_claims", # per (dose, due instant) tick claims, 2 days (features/reminders)
    "leaflets",     # generated leaflets and their translations, 365 days (features/education)
    "translations", # medical translations, 365-day retention (features/translation)
    "mail_quota",   # per-user daily e-mail counts, 2 days (features/email)
    "mail_outbox",  # e-mail send records (address cleared once sent), 7 days (features/email)
    "usage",        # per-user daily usage counters, 400 days (domain/usage.py)
    "limits",       # per-user rate windows and daily counts, 2 days (plumbing/limits.py)
    "erasures",     # "this user was erased" markers (hashed key), 32 days (plumbing/erasures.py)
    "care_invites", # care-circle invite codes (hashed), 24 h (features/circle)
    "care_alerts",  # missed-dose alerts sent to caregivers, 7 days (features/circle)
    "care_tries",   # wrong invite codes per user and hour, 2 h (features/circle)
  ])

  project    = var.project
  database   = google_firestore_database.main.name
  collection = each.key
  field      = "expires_at"

  ttl_config {}
  index_config {}
}

# --- Due-doses query (reminder_tick and sweep_worker, features/reminders/tick.py via the
# medication repository):
#   doses where shard in [...] and next_due_at <= now order by next_due_at limit N
# next_due_at is a timestamp that every claim moves to the same next instant (tomorrow
# 08:00, the 09:00 repeat): on its single-field index those writes land in one
# sequential range, which Firestore serves at about 500 writes/s, while the 08:00 burst
# of 100,000 patients writes 80,000 doses in 40 s (2,000/s). So the query is served by
# a composite index that starts with `shard` (64 values, a hash of the patient): 64
# ranges of ~31 writes/s each. The single-field indexes of both fields are exempted
# (below), as Firestore's sharded-timestamp advice says, so no write touches one range
# of next_due_at alone.
resource "google_firestore_index" "doses_shard_next_due" {
  project     = var.project
  database    = google_firestore_database.main.name
  collection  = "doses"
  query_scope = "COLLECTION"

  fields {
    field_path = "shard"
    order      = "ASCENDING"
  }
  fields {
    field_path = "next_due_at"
    order      = "ASCENDING"
  }
}

# Single-field index exemptions: timestamps written at the 08:00 burst that no query
# filters or orders on alone (an empty index_config removes the automatic indexes).
# tests/unit/test_terraform.py checks that no literal query of the code needs one.
resource "google_firestore_field" "burst_exempt" {
  for_each = {
    "doses/next_due_at"  = { collection = "doses", field = "next_due_at" }
    "doses/shard"        = { collection = "doses", field = "shard" }
    "doses/next_slot_at" = { collection = "doses", field = "next_slot_at" }
    # Written with every claim or send, never queried.
    "remind_outbox/created_at" = { collection = "remind_outbox", field = "created_at" }
    "reminders/created_at"     = { collection = "reminders", field = "created_at" }
    "dose_log/at"              = { collection = "dose_log", field = "at" }
  }

  project    = var.project
  database   = google_firestore_database.main.name
  collection = each.value.collection
  field      = each.value.field

  index_config {}
}

# A user's doses ordered by due time (user_id equality + next_due_at range/order), for
# "next dose" answers and per-user listings; an equality plus a range on another field
# needs this composite index.
resource "google_firestore_index" "doses_user_next_due" {
  project     = var.project
  database    = google_firestore_database.main.name
  collection  = "doses"
  query_scope = "COLLECTION"

  fields {
    field_path = "user_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "next_due_at"
    order      = "ASCENDING"
  }
}

# Weekly adherence (features/medication/service.py week_button):
#   dose_log where user_id == U and slot_at >= since
# Equality on one field plus a range on another: production Firestore rejects it without
# this composite index (the emulator does not enforce indexes, so tests cannot notice).
resource "google_firestore_index" "dose_log_user_slot" {
  project     = var.project
  database    = google_firestore_database.main.name
  collection  = "dose_log"
  query_scope = "COLLECTION"

  fields {
    field_path = "user_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "slot_at"
    order      = "ASCENDING"
  }
}
