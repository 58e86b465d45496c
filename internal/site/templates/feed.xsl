<?xml version="1.0" encoding="UTF-8"?>
<!--
  How a browser shows feedpub's RSS and Atom feeds: what the page is, how
  to subscribe, and the items with links and dates. Feed readers ignore
  it. It serves both formats: each select names the RSS path and the Atom
  path, and only one of them matches.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
<xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

<xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
<xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
<xsl:variable name="home" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
<xsl:variable name="format">
  <xsl:choose>
    <xsl:when test="/rss">RSS</xsl:when>
    <xsl:otherwise>Atom</xsl:otherwise>
  </xsl:choose>
</xsl:variable>

<xsl:template match="/">
<html lang="{/rss/channel/language | /atom:feed/@xml:lang}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="$title"/> · <xsl:value-of select="$format"/> feed</title>
<link rel="stylesheet" href="{{.StyleURL}}"/>
</head>
<body>
<header><a class="site" href="{$home}"><xsl:value-of select="$title"/></a></header>
<main>
<h1><xsl:value-of select="$title"/> · <xsl:value-of select="$format"/> feed</h1>
<p class="description"><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
<p>This page is a <strong>web feed</strong>. To follow new articles,
subscribe in a feed reader (such as NetNewsWire, Miniflux, Feedly or
newsboat) by pasting in this address:</p>
<pre><xsl:value-of select="$self"/></pre>
<p class="meta">Visit <a href="{$home}">the website</a> to read the articles in the browser.</p>
<ol class="articles">
<xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
</ol>
</main>
</body>
</html>
</xsl:template>

<xsl:template match="item">
<li>
<h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
<p class="meta"><time><xsl:value-of select="substring(pubDate, 6, 11)"/></time></p>
<xsl:if test="description"><p><xsl:value-of select="description"/></p></xsl:if>
</li>
</xsl:template>

<xsl:template match="atom:entry">
<li>
<h2><a href="{atom:link[@rel='alternate' or not(@rel)]/@href}"><xsl:value-of select="atom:title"/></a></h2>
<xsl:variable name="date" select="atom:published | atom:updated[not(../atom:published)]"/>
<p class="meta"><time datetime="{$date}"><xsl:call-template name="date"><xsl:with-param name="iso" select="$date"/></xsl:call-template></time></p>
<xsl:if test="atom:summary"><p><xsl:value-of select="atom:summary"/></p></xsl:if>
</li>
</xsl:template>

<!-- date writes an RFC 3339 date as RSS's pubDate shows: "02 Jan 2006". -->
<xsl:template name="date">
  <xsl:param name="iso"/>
  <xsl:variable name="month" select="number(substring($iso, 6, 2))"/>
  <xsl:value-of select="substring($iso, 9, 2)"/>
  <xsl:text> </xsl:text>
  <xsl:value-of select="substring('JanFebMarAprMayJunJulAugSepOctNovDec', 3 * $month - 2, 3)"/>
  <xsl:text> </xsl:text>
  <xsl:value-of select="substring($iso, 1, 4)"/>
</xsl:template>
</xsl:stylesheet>
