"""Clients of the two government portals' open platforms and of the SMS gateway, shared by the
gateway (login) and the notification service (work notices, messages, SMS).

Every URL, key and secret is a setting of the service that uses a client; credentials (app
secrets, service passwords, tokens, phone numbers) are never logged. ``base`` holds what every
client shares (the two outcomes of a failed call, reading a JSON answer), ``zzd`` the 浙政钉 open
platform (signed calls, the app access token, answers read at both levels, work notices),
``zlb`` the 浙里办 service credentials and message service, ``sms`` the SMS gateway.
"""
