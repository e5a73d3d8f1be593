from django.apps import AppConfig


class ModelsAppConfig(AppConfig):
    name = "models_app"
    verbose_name = "Models"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from models_app.ml.embedders.onnx import set_defaults

        # The pure ML code reads no settings: hand it where to cache built models and how many
        # threads an ONNX session may use.
        set_defaults(
            cache_dir=settings.TANDEM_MODEL_CACHE_DIR, threads=settings.TANDEM_ONNX_THREADS
        )
