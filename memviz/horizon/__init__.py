"""horizon"""
