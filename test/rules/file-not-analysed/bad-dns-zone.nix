$ORIGIN example.org.
$TTL 3600
@       IN SOA  ns1.example.org. hostmaster.example.org. ( 2026010101 7200 3600 1209600 3600 )
        IN NS   ns1.example.org.
ns1     IN A    192.0.2.1
www     IN A    192.0.2.2
www     IN AAAA 2001:db8::2
_dmarc  IN TXT  "v=DMARC1; p=none"
# test: expect 1:0 file-not-analysed
