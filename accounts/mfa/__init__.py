"""Two-factor login: who must have a second factor (``policy``), the login's second step, enrolment from the
profile, recovery codes, an admin's reset of a lost factor (``services``), the gate that keeps a session that must
enrol on the enrolment page (``middleware``). The step-up before a decision is ``accounts.step_up``.

The authenticators themselves are django-allauth's (``allauth.mfa``: ``Authenticator`` rows, its TOTP and
recovery-code checks); the login stays accounts' own password page, which hands over to the code page here. How
a session signed in is kept where allauth keeps it (``allauth.account.authentication.get_authentication_records``):
a ``"password"`` record at login and a ``"mfa"`` record after each code checked.
"""
