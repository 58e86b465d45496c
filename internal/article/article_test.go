package article

import (
	"testing"
	"unsafe"
)

// TestArticleSize holds the size an Article takes in memory, where a
// site of 100,000 articles keeps one each: a field added in the wrong
// place can move it up a size class of the allocator (352 bytes, 416).
func TestArticleSize(t *testing.T) {
	if size := unsafe.Sizeof(Article{}); size > 320 {
		t.Errorf("an Article is %d bytes, over 320: group its small fields, or check that the new field is worth 100,000 copies", size)
	}
}
