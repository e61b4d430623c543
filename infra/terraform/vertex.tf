# Gemini on Vertex AI (the Gemini Enterprise Agent Platform). The functions that call the
# model do so as their own service accounts (roles/aiplatform.user), under the Google
# Cloud terms, in var.gemini_location; there is no Gemini API key to store, leak or
# rotate. The Gemini Developer API (an API key) stays for local runs and tests only
# (README: "Before serving patients").

locals {
  # The functions whose code calls the model (Settings-built GeminiModel in
  # shared/bootstrap.py, Container.llm / Container.speaker):
  #   dialog_worker     the medication fallback: one structured call for a command the
  #                     deterministic parser leaves (features/medication/reading.py interpret)
  #   generate_worker   leaflets (grounded), modify, leaflet translation
  #   translate_worker  medical translation (one structured call)
  #   tts_worker        read aloud (Gemini TTS)
  #   stt_worker        voice messages: transcription, then translation
  # Only these hold roles/aiplatform.user (tests/unit/test_terraform.py checks it).
  model_callers = ["dialog_worker", "generate_worker", "translate_worker", "tts_worker", "stt_worker"]

  # The model settings every function gets (only the model callers build a model).
  model_env = {
    GEMINI_BACKEND   = "vertex"
    GEMINI_LOCATION  = var.gemini_location
    GEMINI_MODEL     = var.gemini_model
    GEMINI_TTS_MODEL = var.gemini_tts_model
  }
}

resource "google_project_service" "vertex" {
  project            = var.project
  service            = "aiplatform.googleapis.com"
  disable_on_destroy = false
}

# Vertex AI has no IAM resource finer than the project for calling publisher models.
resource "google_project_iam_member" "vertex_user" {
  for_each = toset(local.model_callers)

  project = var.project
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"

  depends_on = [google_project_service.vertex]
}
