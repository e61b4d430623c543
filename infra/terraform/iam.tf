# Identities and least-privilege grants.
#
# Each function runs as its own service account, so a compromised or buggy function can
# reach only what its entry in local.functions declares (secrets, queues, bucket).
# Project-level roles are limited to roles/datastore.user: Firestore has one database
# here and no finer IAM resource than the project.

resource "google_service_account" "fn" {
  for_each = local.functions

  project      = var.project
  account_id   = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  display_name = "MedBot function ${each.key}"
  description  = each.value.description

  depends_on = [google_project_service.api]
}

# Identity whose OIDC tokens Cloud Tasks and Cloud Scheduler attach to requests to the
# private functions (Settings.tasks_invoker_sa; the code also checks the token's e-mail).
resource "google_service_account" "invoker" {
  project      = var.project
  account_id   = "${var.name_prefix}-tasks-invoker"
  display_name = "MedBot Cloud Tasks / Scheduler invoker"
  description  = "OIDC identity for Cloud Tasks and Cloud Scheduler calls to private functions"

  depends_on = [google_project_service.api]
}

# Cloud Build runs the function builds as this account instead of the default compute
# account (which new projects no longer grant build permissions, and which is too broad).
resource "google_service_account" "build" {
  project      = var.project
  account_id   = "${var.name_prefix}-fn-build"
  display_name = "MedBot function builds"
  description  = "Cloud Build identity for building the Cloud Functions source"

  depends_on = [google_project_service.api]
}

# --- Firestore: every function reads or writes state (idempotency keys at least).
resource "google_project_iam_member" "datastore_user" {
  for_each = local.functions

  project = var.project
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# --- Secret Manager: one binding per (function, secret) it declares, on the secret itself.
resource "google_secret_manager_secret_iam_member" "access" {
  for_each = local.secret_grants

  project   = var.project
  secret_id = google_secret_manager_secret.secret[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# --- Cloud Tasks: enqueue only into the queues the function declares.
resource "google_cloud_tasks_queue_iam_member" "enqueuer" {
  for_each = local.enqueue_grants

  project  = var.project
  location = var.region
  name     = google_cloud_tasks_queue.queue[each.value.queue].name
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# Creating a task that carries an OIDC token of the invoker account requires
# iam.serviceAccounts.actAs on that account: granted on the account, not the project.
resource "google_service_account_iam_member" "enqueuer_acts_as_invoker" {
  for_each = local.enqueuers

  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# --- Cloud Storage: object read/write/delete on the private bucket only.
resource "google_storage_bucket_iam_member" "object_admin" {
  for_each = local.bucket_users

  bucket = google_storage_bucket.private.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# Keyless V4 signed URLs (LINE fetches audio by URL): the function signs with its own
# identity through the IAM signBlob API, so it needs Token Creator on itself only.
resource "google_service_account_iam_member" "self_sign" {
  for_each = local.url_signers

  service_account_id = google_service_account.fn[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# --- Invocation: the invoker account may call each private function; nobody else can.
# For 2nd gen functions, invocation is authorised by Cloud Run (roles/run.invoker on the
# underlying service).
resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = google_cloudfunctions2_function.worker

  project  = var.project
  location = var.region
  service  = each.value.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker.email}"
}

# The webhooks are called by LINE and Telegram, which send no Google credentials, so they
# must be invocable by allUsers. Authentication happens in code: LINE's HMAC-SHA256
# x-line-signature over the raw body, Telegram's X-Telegram-Bot-Api-Secret-Token, both
# compared in constant time before anything else runs.
resource "google_cloud_run_service_iam_member" "public_webhook" {
  #checkov:skip=CKV_GCP_102:LINE and Telegram webhooks must be reachable anonymously (the platforms cannot present Google credentials); requests are authenticated in code by LINE's HMAC signature and Telegram's secret token. Only the two webhook functions are bound here.
  for_each = google_cloudfunctions2_function.webhook

  project  = var.project
  location = var.region
  service  = each.value.service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Build identity: logs, images, and the function source.
# Cloud Functions copies the uploaded zip into its own bucket
# gcf-v2-sources-<project number>-<region>, created on the first deploy, and the build
# reads it from there: a grant on var.source_bucket alone fails every build ("Access to
# bucket gcf-v2-sources-... denied", provider issue #20571). That bucket does not exist
# before the first function, so the grant is project-level: storage.objectAdmin, as in
# the provider's own cloudfunctions2 custom-builder example.
locals {
  build_roles = [
    "roles/logging.logWriter",       # build logs
    "roles/artifactregistry.writer", # pushes the function images (gcf-artifacts repo)
    "roles/storage.objectAdmin",     # reads the source in gcf-v2-sources-<number>-<region>
  ]
}

resource "google_project_iam_member" "build" {
  for_each = toset(local.build_roles)

  project = var.project
  role    = each.key
  member  = "serviceAccount:${google_service_account.build.email}"
}

# IAM grants take effect after a delay: a function built or started seconds after its
# grants fails intermittently (the builder cannot read the source, the runtime cannot
# read its secrets). Every function waits for this (functions.tf); the provider's
# example waits 60 s. The triggers wait again whenever the set of grants changes.
resource "time_sleep" "iam_propagation" {
  create_duration = "60s"

  triggers = {
    grants = jsonencode({
      build     = local.build_roles
      secrets   = keys(local.secret_grants)
      enqueue   = keys(local.enqueue_grants)
      bucket    = keys(local.bucket_users)
      signers   = keys(local.url_signers)
      firestore = keys(local.functions)
      vertex    = local.model_callers
    })
  }

  depends_on = [
    google_project_iam_member.build,
    google_project_iam_member.datastore_user,
    google_secret_manager_secret_iam_member.access,
    google_cloud_tasks_queue_iam_member.enqueuer,
    google_service_account_iam_member.enqueuer_acts_as_invoker,
    google_storage_bucket_iam_member.object_admin,
    google_service_account_iam_member.self_sign,
    google_project_iam_member.vertex_user,
  ]
}
