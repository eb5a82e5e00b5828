"""Vector memory: messages and member profiles stored and searched in Qdrant."""
