from interop.testing import portal_standin  # noqa: F401 - the stand-in portal fixture
