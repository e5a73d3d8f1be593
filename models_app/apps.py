from django.apps import AppConfig


class ModelsAppConfig(AppConfig):
    name = "models_app"
    verbose_name = "Models"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from models_app.ml.embedders.cache import set_model_cache_dir
        from models_app.ml.embedders.onnx import set_threads

        # Model files embedders build on first use (the distilled static model, the int8 ONNX
        # MiniLM) live with the rest of the install's data.
        set_model_cache_dir(settings.DATA_DIR / "models")
        # ONNX Runtime threads per session (the pure ML code reads no settings).
        set_threads(settings.TANDEM_ONNX_THREADS)
