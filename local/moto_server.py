"""
moto's server as local mode runs it: moto's own `moto_server` entry point, with one change —
each request is handled whole before the next one starts.

moto serves requests on a thread each and takes no lock around a conditional write, so two
conditional writes of one DynamoDB item sent at the same moment can both succeed (measured: 2 to
5 in 800 pairs of a TransactWriteItems and a PutItem, both `attribute_not_exists`; held by
test/integration/emulator-atomicity.test.ts). On AWS a
conditional write is atomic for its item, and the tenant ledger relies on exactly that: of two
requests handled at once, one wins. Serialising requests gives the emulator that guarantee
(and every other service the same plain ordering); the server stays threaded, so keep-alive
connections are still served.

It also moves a secret's default version with its AWSCURRENT label. moto's
UpdateSecretVersionStage moves the label but leaves the version a plain GetSecretValue returns,
and the one PutSecretValue demotes to AWSPREVIOUS, on the old version; on AWS the default *is*
the AWSCURRENT version. A key rotation's finishSecret moves AWSCURRENT this way, so without this
every read after a rotation would return the old key, and a later write would leave two versions
AWSCURRENT.
"""
import sys
import threading

from moto import server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.secretsmanager.models import SecretsManagerBackend

_one_at_a_time = threading.Lock()
_handle = DomainDispatcherApplication.__call__


def _serialised(self, environ, start_response):
    with _one_at_a_time:
        return _handle(self, environ, start_response)


DomainDispatcherApplication.__call__ = _serialised

_update_secret_version_stage = SecretsManagerBackend.update_secret_version_stage


def _moving_the_default(self, secret_id, version_stage, remove_from_version_id, move_to_version_id):
    result = _update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
    if version_stage == "AWSCURRENT" and move_to_version_id:
        secret = self.secrets[secret_id]
        version = secret.versions[move_to_version_id]
        secret.default_version_id = move_to_version_id
        secret.secret_string = version.get("secret_string")
        secret.secret_binary = version.get("secret_binary")
    return result


SecretsManagerBackend.update_secret_version_stage = _moving_the_default

if __name__ == "__main__":
    server.main(sys.argv[1:])
