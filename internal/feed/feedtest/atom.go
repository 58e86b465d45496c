package feedtest

import (
	"encoding/xml"
	"fmt"
)

// presence decodes any element and records only that it was there.
type presence struct{}

type atomRulesFeed struct {
	Authors []presence       `xml:"http://www.w3.org/2005/Atom author"`
	Entries []atomRulesEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type atomRulesEntry struct {
	ID            string     `xml:"http://www.w3.org/2005/Atom id"`
	Authors       []presence `xml:"http://www.w3.org/2005/Atom author"`
	SourceAuthors []presence `xml:"http://www.w3.org/2005/Atom source>author"`
	Content       *presence  `xml:"http://www.w3.org/2005/Atom content"`
	Links         []struct {
		Rel string `xml:"rel,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
}

// atomRules checks the two constraints RFC 4287 Appendix B states as
// Schematron annotations, which jing does not evaluate: an author on the
// feed or on every entry (§4.1.1), and an alternate link or a content on
// every entry (§4.1.2).
func atomRules(doc []byte) []string {
	var feed atomRulesFeed
	if err := xml.Unmarshal(doc, &feed); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for i, e := range feed.Entries {
		if len(feed.Authors) == 0 && len(e.Authors) == 0 && len(e.SourceAuthors) == 0 {
			problems = append(problems, fmt.Sprintf("entry %d (%s): no atom:author, and the feed has none", i, e.ID))
		}
		if e.Content == nil && !hasAlternate(e) {
			problems = append(problems, fmt.Sprintf("entry %d (%s): neither atom:content nor an alternate atom:link", i, e.ID))
		}
	}
	return problems
}

// hasAlternate reports whether e has a link whose rel is "alternate",
// which is also the meaning of a link without rel (RFC 4287 §4.2.7.2).
func hasAlternate(e atomRulesEntry) bool {
	for _, l := range e.Links {
		if l.Rel == "" || l.Rel == "alternate" {
			return true
		}
	}
	return false
}
