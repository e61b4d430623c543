# APIs the deployment uses. disable_on_destroy = false: destroying this stack must not
# switch off APIs other workloads in the project may rely on.
resource "google_project_service" "api" {
  for_each = toset([
    "artifactregistry.googleapis.com", # function container images
    "cloudbuild.googleapis.com",       # builds the function source
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com", # the project number (functions.tf)
    "cloudscheduler.googleapis.com",
    "cloudtasks.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com", # signBlob for keyless signed URLs
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "run.googleapis.com", # 2nd gen functions run as Cloud Run services
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])

  project            = var.project
  service            = each.key
  disable_on_destroy = false
}
