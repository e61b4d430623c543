# One Cloud Function (2nd gen) per entry point of main.py, all built from the same zipped
# source. Function name == entry point: the code addresses worker W at WORKER_BASE_URL/W.
#
# Deploy order on a new project: secrets exist empty until operators add versions, and a
# function referencing a secret without a version fails to deploy. First
#   terraform apply -target=google_secret_manager_secret.secret
# then add the secret versions (gcloud secrets versions add ...), then a full apply
# (README, "From an empty project, in order").

# The project number: secret references name the project by number (the form the API
# returns; the id would show as a permanent diff).
data "google_project" "this" {
  project_id = var.project
}

resource "google_cloudfunctions2_function" "webhook" {
  #checkov:skip=CKV_GCP_124:Webhooks are called by LINE and Telegram servers over the public internet; internal-only or load-balancer-only ingress would reject them. Each request is authenticated in code (LINE HMAC signature / Telegram secret token) before any work.
  for_each = local.webhooks

  project     = var.project
  location    = var.region
  name        = each.key
  description = each.value.description
  labels      = { app = var.name_prefix, role = "webhook" }

  build_config {
    runtime         = var.python_runtime
    entry_point     = each.key
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = var.source_bucket
        object = var.source_object
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_s
    max_instance_request_concurrency = each.value.concurrency
    # min 0: an idle bot costs nothing. The webhook's cold start (light imports on a full
    # vCPU) must stay well inside LINE's 2 s; if measurements say otherwise, 1 warm
    # instance removes cold starts for the price of one idle instance.
    min_instance_count             = 0
    max_instance_count             = each.value.max_instances
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.fn[each.key].email
    # THREADS: functions-framework's gunicorn threads, else CPU count x 4 (runtime.json).
    environment_variables = merge(local.common_env, local.model_env, each.value.env,
    { THREADS = tostring(each.value.threads) })

    # Resolved when an instance starts: a rotated secret reaches new instances without a
    # redeploy, and the value never enters Terraform state.
    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = secret_environment_variables.value
        project_id = data.google_project.this.number # the provider's preferred form
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  # After every grant it relies on has had time to take effect (iam.tf).
  depends_on = [
    google_project_service.api,
    time_sleep.iam_propagation,
  ]
}

resource "google_cloudfunctions2_function" "worker" {
  for_each = local.workers

  project     = var.project
  location    = var.region
  name        = each.key
  description = each.value.description
  labels      = { app = var.name_prefix, role = "worker" }

  build_config {
    runtime         = var.python_runtime
    entry_point     = each.key
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = var.source_bucket
        object = var.source_object
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_s
    max_instance_request_concurrency = each.value.concurrency
    # min 0: tasks tolerate a cold start; no idle cost.
    min_instance_count = 0
    max_instance_count = each.value.max_instances
    # Cloud Tasks and Cloud Scheduler in the same project count as internal traffic, so
    # nothing on the internet can even reach these; run.invoker is granted to the invoker
    # account only (iam.tf), and the code checks the OIDC token's audience and e-mail.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.fn[each.key].email
    # THREADS: functions-framework's gunicorn threads, else CPU count x 4 (runtime.json).
    environment_variables = merge(local.common_env, local.model_env, each.value.env,
    { THREADS = tostring(each.value.threads) })

    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = secret_environment_variables.value
        project_id = data.google_project.this.number # the provider's preferred form
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  # After every grant it relies on has had time to take effect (iam.tf).
  depends_on = [
    google_project_service.api,
    time_sleep.iam_propagation,
  ]
}
