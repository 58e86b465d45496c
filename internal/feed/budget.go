package feed

import "sort"

// Renderer renders a feed in one format: RSS, Atom or JSON.
type Renderer func(*Feed) ([]byte, error)

// Fitted says what Fit had to leave out to stay within its budget.
type Fitted struct {
	// Summarized counts the items that carry their summary instead of
	// their full content.
	Summarized int
	// Dropped counts the oldest items left out of the document.
	Dropped int
}

// Fit renders f with render and, when the document is longer than max
// bytes, shrinks it from the oldest end, which readers need least: first
// the oldest items lose their full content (they keep their summary and
// their link to the article), as few of them as fit the budget; then, if
// every item is down to its summary and the document is still too long
// and drop is true, the oldest items are left out, again as few as
// possible. Items are taken to be newest first, as feeds order them.
//
// f is not modified. A document that cannot be brought under max (a
// budget smaller than the feed's own elements, or drop false) is returned
// as small as Fit could make it. A max of 0 or less means no budget.
// Document size never grows when an item loses content or is left out,
// so each step is a binary search: a feed over budget costs about
// 2·log2(len(f.Items)) extra renders, one within it none.
func Fit(f *Feed, render Renderer, max int64, drop bool) ([]byte, Fitted, error) {
	doc, err := render(f)
	if err != nil || max <= 0 || int64(len(doc)) <= max {
		return doc, Fitted{}, err
	}
	n := len(f.Items)
	// try renders f with its oldest s items summarized and its oldest d
	// of those dropped, remembering the last render that fits.
	var best []byte
	var bestFit Fitted
	var firstErr error
	try := func(s, d int) bool {
		c := *f
		c.Items = make([]Item, n-d)
		copy(c.Items, f.Items[:n-d])
		for i := n - s; i < n-d; i++ {
			c.Items[i].ContentHTML = ""
		}
		out, err := render(&c)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return true // stop searching
		}
		if int64(len(out)) > max {
			return false
		}
		best, bestFit = out, Fitted{Summarized: s - d, Dropped: d}
		return true
	}
	s := sort.Search(n+1, func(s int) bool { return s > 0 && try(s, 0) })
	if firstErr != nil {
		return nil, Fitted{}, firstErr
	}
	if s <= n {
		return best, bestFit, nil
	}
	if !drop {
		// Every item summarized is as small as it gets.
		return summarizedAll(f, render, n)
	}
	d := sort.Search(n+1, func(d int) bool { return d > 0 && try(n, d) })
	if firstErr != nil {
		return nil, Fitted{}, firstErr
	}
	if d > n {
		// Not even an empty feed fits; serve the smallest there is.
		return summarizedDropped(f, render, n)
	}
	return best, bestFit, nil
}

// summarizedAll renders f with every item summarized.
func summarizedAll(f *Feed, render Renderer, n int) ([]byte, Fitted, error) {
	c := *f
	c.Items = make([]Item, n)
	copy(c.Items, f.Items)
	for i := range c.Items {
		c.Items[i].ContentHTML = ""
	}
	out, err := render(&c)
	return out, Fitted{Summarized: n}, err
}

// summarizedDropped renders f without items.
func summarizedDropped(f *Feed, render Renderer, n int) ([]byte, Fitted, error) {
	c := *f
	c.Items = nil
	out, err := render(&c)
	return out, Fitted{Dropped: n}, err
}
