package feedtest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// CheckXML reports whether doc is a well-formed XML document: it decodes
// every token to the end with encoding/xml in strict mode and requires
// exactly one root element with nothing but white space and markup
// around it (XML 1.0 §2.1). The error names the line of the first
// problem. Tests run every XML document feedpub renders through it.
func CheckXML(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var depth, roots int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return lineError(d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			if roots > 1 {
				return lineError(d, errors.New("more than one root element"))
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return lineError(d, errors.New("text outside the root element"))
			}
		}
	}
	if roots == 0 {
		return lineError(d, errors.New("no root element"))
	}
	return nil
}

// lineError gives err the decoder's current line, unless it is an
// xml.SyntaxError, which already carries the line where decoding stopped.
func lineError(d *xml.Decoder, err error) error {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return err
	}
	line, _ := d.InputPos()
	return fmt.Errorf("XML error on line %d: %w", line, err)
}
