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
"""
import sys
import threading

from moto import server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_one_at_a_time = threading.Lock()
_handle = DomainDispatcherApplication.__call__


def _serialised(self, environ, start_response):
    with _one_at_a_time:
        return _handle(self, environ, start_response)


DomainDispatcherApplication.__call__ = _serialised

if __name__ == "__main__":
    server.main(sys.argv[1:])
