package auth

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// readKeyFile reads a PEM public key, or else an HMAC secret, from path.
func readKeyFile(path string) (verifyKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return verifyKey{}, err
	}
	if !bytes.Contains(data, []byte("-----BEGIN ")) {
		secret := bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r"))
		return newVerifyKey(secret, "")
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return verifyKey{}, errors.New("malformed PEM")
	}
	pub, err := parsePEMKey(block)
	if err != nil {
		return verifyKey{}, err
	}
	return newVerifyKey(pub, "")
}

// parsePEMKey returns the public key of a PEM block.
func parsePEMKey(block *pem.Block) (any, error) {
	switch block.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		return cert.PublicKey, nil
	default:
		if strings.HasSuffix(block.Type, "PRIVATE KEY") {
			return nil, fmt.Errorf("PEM %s: give the gateway the public key only (openssl pkey -in KEY -pubout)", block.Type)
		}
		return nil, fmt.Errorf("PEM %s: want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE", block.Type)
	}
}
