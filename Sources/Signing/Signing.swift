// TODO: SigV4 and SharedKey signing.
import CCrypto
