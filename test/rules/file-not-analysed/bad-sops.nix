{
	"data": "ENC[AES256_GCM,data:bm90IGEgcmVhbCBzZWNyZXQ=,iv:Zml4dHVyZQ==,tag:dGVzdA==,type:str]",
	"sops": {
		"age": [ { "recipient": "age1fixture", "enc": "not a real recipient block" } ],
		"lastmodified": "2026-01-01T00:00:00Z",
		"mac": "ENC[AES256_GCM,data:Zml4dHVyZQ==,iv:dGVzdA==,tag:dGVzdA==,type:str]",
		"version": "3.9.0"
	}
}
# test: expect 1:0 file-not-analysed
