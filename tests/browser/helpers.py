"""Steps that several browser journeys share."""


def current_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page, username: str, password: str) -> None:
    """Sign in to the back office as a person does: password, then the code their
    authenticator app shows (the app is set up beforehand, as at a first sign-in)."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Phone"}
    )
    # A code works once per 30 s step: a test signing in again acts as if time had passed.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/two-step/**")
    page.fill("#id_code", current_code(device))
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/two-step/" not in url)
